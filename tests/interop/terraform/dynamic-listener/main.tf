# After terraform-aws-modules/terraform-aws-alb: listeners are a map of objects whose actions are
# optional attributes, read by `dynamic "default_action"` blocks; a listener's forward, a weighted
# forward (a nested dynamic block) and a redirect, and one action over a value with no default.
variable "extra_actions" {
  type = list(object({ target = string }))
}

module "alb" {
  source = "./alb"
  listeners = {
    https = {
      port    = 443
      forward = { target_group_key = "api" }
    }
    weighted = {
      port = 8443
      weighted_forward = {
        target_groups = [{ target_group_key = "api" }, { target_group_key = "admin", weight = 10 }]
      }
    }
    http = {
      port     = 80
      redirect = { port = "443" }
    }
  }
  target_groups = {
    api   = { port = 8080, target = aws_instance.api.id }
    admin = { port = 9090, target = aws_instance.admin.id }
  }
  extra_actions = var.extra_actions
}

resource "aws_instance" "api" {
  ami = "ami-12345678"
}

resource "aws_instance" "admin" {
  ami = "ami-12345678"
}

resource "aws_instance" "extra" {
  ami = "ami-12345678"
}

resource "aws_lb_target_group" "extra" {
  port     = 7070
  protocol = "HTTP"
}

resource "aws_lb_target_group_attachment" "extra" {
  target_group_arn = aws_lb_target_group.extra.arn
  target_id        = aws_instance.extra.id
}

# forwards to the extra target group once per item of a variable without a value: not drawn
resource "aws_lb_listener" "extra" {
  load_balancer_arn = module.alb.arn
  port              = 9000
  protocol          = "HTTP"
  dynamic "default_action" {
    for_each = var.extra_actions
    content {
      type             = "forward"
      target_group_arn = aws_lb_target_group.extra.arn
    }
  }
}
