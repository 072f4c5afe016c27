"""The copywriter: cited, personalised outreach sequences from stored facts (templates or a model)."""
