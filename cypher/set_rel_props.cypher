// Bulk import fix-up: relationship property values no CSV cell can express (see set_node_props).
UNWIND $rows AS row
MATCH (a:Plangraph {id: row.source})-[r:`__TYPE__`]->(b:Plangraph {id: row.target})
SET r += row.props
