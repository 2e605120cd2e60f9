"""The CloudFormation wing: a template (YAML with short-form tags, or JSON) -> a draft model."""
