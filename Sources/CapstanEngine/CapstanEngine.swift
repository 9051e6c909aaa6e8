// The pure workflow engine: templates, conditions, validation and the step function.
