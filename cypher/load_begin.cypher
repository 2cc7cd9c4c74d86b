// Marks a load as running, so an interrupted one is visible (status) until a rerun completes.
MERGE (m:PlangraphMeta {id: 'load'})
SET m.status = 'loading', m.gen = $gen, m.started = datetime(), m.scope = $scope
