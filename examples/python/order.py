"""The order aggregate's decisions: given the state that chronicle folded (the 'order'
aggregate of ../schema.sql) and a command, the one event to append, or a refusal.
Pure functions: no database here, so a retry can simply call decide again."""
from dataclasses import dataclass


class OrderRefused(Exception):
    pass


@dataclass(frozen=True)
class Create:
    customer_id: str


@dataclass(frozen=True)
class AddItem:
    sku: str
    price_cents: int


@dataclass(frozen=True)
class Pay:
    pass


def decide(state, command):
    """Returns (event_type, data). state is None for an order that does not exist yet."""
    status = state["status"] if state else "NONE"
    match command:
        case Create(customer_id):
            if status != "NONE":
                raise OrderRefused("the order exists already")
            return "OrderCreated", {"customerId": customer_id}
        case AddItem(sku, price_cents):
            if status != "OPEN":
                raise OrderRefused(f"cannot add items to an order that is {status}")
            return "ItemAdded", {"sku": sku, "priceCents": price_cents}
        case Pay():
            if status == "PAID":
                raise OrderRefused("the order is paid already")
            if status != "OPEN":
                raise OrderRefused(f"cannot pay an order that is {status}")
            if not state["items"]:
                raise OrderRefused("cannot pay an empty order")
            return "OrderPaid", {"amountCents": state["total_cents"]}
    raise TypeError(f"unknown command {command!r}")
