variable "create" {
  type    = bool
  default = true
}

variable "groups" {
  type    = map(string)
  default = null
}

resource "aws_sqs_queue" "this" {
  count = var.create ? 1 : 0
}

resource "aws_sqs_queue" "per_group" {
  for_each = var.create && var.groups != null ? var.groups : {}
}
