// Tests for CapstanEngine.
