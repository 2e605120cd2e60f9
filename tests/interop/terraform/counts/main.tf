# count and for_each that decide offline: with literals, defaults, locals and module arguments.
# Written for the tests.
variable "subnets" {
  type    = list(string)
  default = []
}

variable "enabled" {
  default = false
}

variable "extra" {
  type    = map(string)
  default = {}
}

variable "groups" {
  type    = map(any)
  default = null
}

variable "named" {
  default = { a = 1 }
}

variable "size" {
  type = number
}

locals {
  create = var.enabled && length(var.subnets) > 0
}

resource "aws_sqs_queue" "zero" {
  count = 0
}

resource "aws_sqs_queue" "len" {
  count = length(var.subnets)
}

resource "aws_sqs_queue" "cond" {
  count = local.create ? 1 : 0
}

resource "aws_sqs_queue" "each_empty" {
  for_each = var.extra
}

resource "aws_sqs_queue" "each_null" {
  for_each = var.groups != null ? var.groups : {}
}

resource "aws_sqs_queue" "filtered" {
  for_each = { for k, v in var.named : k => v if local.create }
}

resource "aws_sqs_queue" "two" {
  count = try(length(coalesce(var.groups, { x = 1, y = 2 })), 0)
}

resource "aws_sqs_queue" "unknown" {
  count = var.size
}

resource "aws_sqs_queue" "keep" {
}

module "off" {
  source = "./modules/queue"
  create = false
}

module "on" {
  source = "./modules/queue"
  groups = { a = "x" }
}
