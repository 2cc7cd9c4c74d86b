// Batched, idempotent relationship upsert for one type (__TYPE__ is a whitelisted type name).
// Edges are unique by (type, source, target), as in the embedded store.
UNWIND $rows AS row
MATCH (a:Plangraph {id: row.source})
MATCH (b:Plangraph {id: row.target})
MERGE (a)-[r:`__TYPE__`]->(b)
SET r = row.props
