// Batched, idempotent node upsert for one label. __LABEL__ is replaced by a whitelisted label name
// (labels cannot be parameters); everything else is a parameter.
// $rows: [{id, props}] where props already holds id, _gen (load generation) and _nulls.
UNWIND $rows AS row
MERGE (n:Plangraph {id: row.id})
SET n = row.props, n:__LABEL__
