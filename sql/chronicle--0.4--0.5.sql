-- chronicle 0.4 -> 0.5: one projection never holds back another; bounded stalls made visible.
--
-- Sections are added by topic below; each says what it is for.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.5'" to load this file. \quit

