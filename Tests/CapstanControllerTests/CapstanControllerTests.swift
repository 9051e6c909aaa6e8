// Tests for CapstanController.
