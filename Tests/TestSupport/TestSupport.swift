// Helpers shared by tests that start real processes.
