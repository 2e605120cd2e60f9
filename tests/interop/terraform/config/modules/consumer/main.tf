variable "queues" {
  default = {}
}

variable "enabled" {
  default = true
}

resource "aws_lambda_function" "this" {
  function_name = "consumer"
}

resource "aws_lambda_event_source_mapping" "this" {
  for_each         = { for k, v in var.queues : k => v if var.enabled }
  function_name    = aws_lambda_function.this.arn
  event_source_arn = each.value.arn
}
