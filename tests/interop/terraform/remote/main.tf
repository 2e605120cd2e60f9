# Only registry modules: nothing can be read offline. Written for the tests.
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"
}

module "vpc" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-vpc.git?ref=v6.0.0"
}

resource "aws_ec2_tag" "only" {
  key = "a"
}
