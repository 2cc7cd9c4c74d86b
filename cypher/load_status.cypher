OPTIONAL MATCH (m:PlangraphMeta {id: 'load'})
RETURN m.status AS status, m.gen AS gen, m.scope AS scope, toString(m.started) AS started,
       toString(m.finished) AS finished, m.nodes AS nodes, m.rels AS rels
