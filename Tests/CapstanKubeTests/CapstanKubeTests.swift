// Tests for CapstanKube.
