variable "cidr" {
  default = "10.0.0.0/16"
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
}

resource "aws_subnet" "app" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.2.1.0/24"
  map_public_ip_on_launch = true
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "subnet_id" {
  value = aws_subnet.app.id
}
