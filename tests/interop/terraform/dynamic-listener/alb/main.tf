variable "listeners" {
  type = map(object({
    port     = number
    protocol = optional(string, "HTTP")
    forward  = optional(object({ target_group_key = string }))
    weighted_forward = optional(object({
      target_groups = list(object({ target_group_key = string, weight = optional(number, 1) }))
    }))
    redirect = optional(object({ port = optional(string), status_code = optional(string, "HTTP_301") }))
  }))
  default = {}
}

variable "target_groups" {
  type    = map(object({ port = number, target = string }))
  default = {}
}

variable "extra_actions" {
  type    = any
  default = null
}

resource "aws_lb" "this" {
  internal           = false
  load_balancer_type = "application"
}

resource "aws_lb_listener" "this" {
  for_each          = var.listeners
  load_balancer_arn = aws_lb.this.arn
  port              = each.value.port
  protocol          = each.value.protocol

  dynamic "default_action" {
    for_each = each.value.forward != null ? [each.value.forward] : []
    content {
      type             = "forward"
      target_group_arn = aws_lb_target_group.this[default_action.value.target_group_key].arn
    }
  }

  dynamic "default_action" {
    for_each = each.value.weighted_forward != null ? [each.value.weighted_forward] : []
    content {
      type = "forward"
      forward {
        dynamic "target_group" {
          for_each = default_action.value.target_groups
          content {
            arn    = aws_lb_target_group.this[target_group.value.target_group_key].arn
            weight = target_group.value.weight
          }
        }
      }
    }
  }

  dynamic "default_action" {
    for_each = each.value.redirect != null ? [each.value.redirect] : []
    content {
      type = "redirect"
      redirect {
        port        = default_action.value.port
        status_code = default_action.value.status_code
      }
    }
  }
}

resource "aws_lb_target_group" "this" {
  for_each = var.target_groups
  port     = each.value.port
  protocol = "HTTP"
}

resource "aws_lb_target_group_attachment" "this" {
  for_each         = var.target_groups
  target_group_arn = aws_lb_target_group.this[each.key].arn
  target_id        = each.value.target
}

output "arn" {
  value = aws_lb.this.arn
}
