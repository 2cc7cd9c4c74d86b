// Bulk import fix-up: properties the CSV importer cannot express (empty lists), set after the import.
UNWIND $rows AS row
MATCH (n:Plangraph {id: row.id})
SET n += row.props
