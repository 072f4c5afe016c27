"""Pure compliance rules, one module per concern; agents.policies.compliance runs them all."""
