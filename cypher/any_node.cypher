// Any node besides the load bookkeeping: bulk import refuses a database that is not empty.
MATCH (n)
WHERE NOT n:PlangraphMeta
WITH n LIMIT 1
RETURN count(n) > 0 AS any
