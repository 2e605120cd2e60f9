# Null means unset; a key with no value offline is a question, never a customer key.
# Written for the tests.
variable "kms_key_arn" {
  type    = string
  default = null
}

variable "given_key" {
  type = string
}

resource "aws_kms_key" "own" {
  enable_key_rotation = true
}

resource "aws_db_instance" "plain" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = false
  kms_key_id        = var.kms_key_arn
}

resource "aws_lambda_function" "unset" {
  function_name = "unset"
  kms_key_arn   = var.kms_key_arn
}

resource "aws_lambda_function" "given" {
  function_name = "given"
  kms_key_arn   = var.given_key
}

resource "aws_lambda_function" "owned" {
  function_name = "owned"
  kms_key_arn   = aws_kms_key.own.arn
}

resource "aws_sqs_queue" "chosen" {
  kms_master_key_id = var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.own.arn
}

resource "aws_sqs_queue" "remote" {
  kms_master_key_id = module.kms.key_arn
}

module "kms" {
  source  = "terraform-aws-modules/kms/aws"
  version = "~> 4.0"
}
