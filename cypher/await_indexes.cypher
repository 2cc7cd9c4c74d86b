// Wait until every index is online (after schema.cypher), at most 300 s.
CALL db.awaitIndexes(300)
