// Bulk import fix-up: relationship properties the CSV importer cannot express (empty lists).
UNWIND $rows AS row
MATCH (a:Plangraph {id: row.source})-[r:`__TYPE__`]->(b:Plangraph {id: row.target})
SET r += row.props
