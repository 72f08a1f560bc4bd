// The order aggregate's decisions: given the state that chronicle folded (the 'order'
// aggregate of ../schema.sql) and a command, the one event to append, or a refusal.
// Pure functions: no database here, so a retry can simply call decide again.

export class OrderRefused extends Error {
  constructor(message) {
    super(message);
    this.name = 'OrderRefused';
  }
}

// state is null for an order that does not exist yet (load of an empty stream).
export function decide(state, command) {
  const status = state?.status ?? 'NONE';
  switch (command.type) {
    case 'create':
      if (status !== 'NONE') throw new OrderRefused('the order exists already');
      return { type: 'OrderCreated', data: { customerId: command.customerId } };
    case 'addItem':
      if (status !== 'OPEN') throw new OrderRefused(`cannot add items to an order that is ${status}`);
      return { type: 'ItemAdded', data: { sku: command.sku, priceCents: command.priceCents } };
    case 'pay':
      if (status === 'PAID') throw new OrderRefused('the order is paid already');
      if (status !== 'OPEN') throw new OrderRefused(`cannot pay an order that is ${status}`);
      if (state.items.length === 0) throw new OrderRefused('cannot pay an empty order');
      return { type: 'OrderPaid', data: { amountCents: state.total_cents } };
    default:
      throw new Error(`unknown command ${command.type}`);
  }
}
