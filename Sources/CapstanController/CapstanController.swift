// The operator: the reconcile loop that applies the engine's actions.
