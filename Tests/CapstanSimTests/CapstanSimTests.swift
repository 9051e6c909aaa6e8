// Tests for CapstanSim.
