MATCH (n:Plangraph)
RETURN [l IN labels(n) WHERE l <> 'Plangraph'][0] AS key, count(*) AS n
