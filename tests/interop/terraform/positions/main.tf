# Where the warnings point: the block of each resource. Written for the tests.
resource "aws_sqs_queue" "jobs" {
}

  resource "aws_ec2_tag" "root_tag" {
  resource_id = aws_sqs_queue.jobs.id
}

module "tags" {
  source = "./modules/tags"
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
