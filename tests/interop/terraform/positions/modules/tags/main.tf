variable "create" {
  default = true
}

resource "aws_ec2_tag" "inner" {
  count = var.create ? 1 : 0
  key   = "a"
}
