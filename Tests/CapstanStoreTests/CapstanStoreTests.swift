// Tests for CapstanStore.
