# Variables set by the files Terraform loads by itself: terraform.tfvars, then
# terraform.tfvars.json, then *.auto.tfvars(.json) by name; a later file wins.
# Written for the tests.
variable "create_audit_queue" {
  type    = bool
  default = false
}

variable "workers" {
  type    = number
  default = 1
}

variable "queue_key_arn" {
  type    = string
  default = null
}

variable "db_encrypted" {
  type    = bool
  default = false
}

resource "aws_sqs_queue" "audit" {
  count = var.create_audit_queue ? 1 : 0
}

resource "aws_instance" "worker" {
  count         = var.workers
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}

resource "aws_sqs_queue" "jobs" {
  kms_master_key_id = var.queue_key_arn
}

resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = var.db_encrypted
}
