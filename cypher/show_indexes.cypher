// Schema check (tests, `plangraph neo4j status`): indexes with their type and options.
SHOW INDEXES YIELD name, type, labelsOrTypes, properties, options, state
RETURN name, type, labelsOrTypes, properties, options, state
ORDER BY name
