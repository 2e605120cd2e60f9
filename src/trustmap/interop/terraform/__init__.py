"""The Terraform wing: `terraform show -json` output, or a folder of .tf files -> a draft model."""
