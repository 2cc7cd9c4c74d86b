// Fast path for a load into an empty database: CREATE instead of MERGE (same result).
UNWIND $rows AS row
CREATE (n:Plangraph:__LABEL__)
SET n = row.props
