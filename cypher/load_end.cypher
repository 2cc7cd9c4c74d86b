MATCH (m:PlangraphMeta {id: 'load'})
WHERE m.gen = $gen
SET m.status = 'complete', m.finished = datetime(), m.nodes = $nodes, m.rels = $rels
