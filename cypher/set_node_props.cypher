// Bulk import fix-up: node property values no CSV cell can express (an empty string, a list holding one),
// set after the import; normally there are none (empty lists are stored as keys in _empty).
UNWIND $rows AS row
MATCH (n:Plangraph {id: row.id})
SET n += row.props
