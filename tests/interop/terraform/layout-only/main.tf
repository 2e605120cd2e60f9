# Written for the tests: a configuration that creates only network layout (a VPC and a
# subnet: boundaries, not components) and a gateway whose count is 0 with the defaults.
variable "public" {
  type    = bool
  default = false
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_internet_gateway" "igw" {
  count  = var.public ? 1 : 0
  vpc_id = aws_vpc.main.id
}
