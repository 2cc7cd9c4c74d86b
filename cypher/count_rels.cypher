MATCH (:Plangraph)-[r]->(:Plangraph)
RETURN type(r) AS key, count(*) AS n
