// Fast path for a load into an empty database: CREATE instead of MERGE (same result).
UNWIND $rows AS row
MATCH (a:Plangraph {id: row.source})
MATCH (b:Plangraph {id: row.target})
CREATE (a)-[r:`__TYPE__`]->(b)
SET r = row.props
