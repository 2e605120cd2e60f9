# An ALB that signs users in before forwarding (written for the tests, after the listeners of
# terraform-aws-modules/alb's complete-alb example and of the CloudFormation
# faithful/alb-authenticate.yaml).

resource "aws_cognito_user_pool" "users" {
  name = "users"
}

resource "aws_lb" "web" {
  name     = "web"
  internal = false
}

resource "aws_lb_target_group" "app" {
  name     = "app"
  port     = 8080
  protocol = "HTTP"
}

# expect: entry https 443 authenticated; a flow web -> users (https, signs users in)
resource "aws_lb_listener" "signed_in" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"

  default_action {
    type  = "authenticate-cognito"
    order = 1
    authenticate_cognito {
      user_pool_arn       = aws_cognito_user_pool.users.arn
      user_pool_client_id = "client"
      user_pool_domain    = "example"
    }
  }

  default_action {
    type             = "forward"
    order            = 2
    target_group_arn = aws_lb_target_group.app.arn
  }
}

# expect: entry http 80 not authenticated (it forwards without signing in)
resource "aws_lb_listener" "open" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

# expect: entry https 8443 authenticated: the listener answers by itself, its only forward is a
# rule that signs in first (OIDC)
resource "aws_lb_listener" "by_rule" {
  load_balancer_arn = aws_lb.web.arn
  port              = 8443
  protocol          = "HTTPS"

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_rule" "oidc" {
  listener_arn = aws_lb_listener.by_rule.arn
  priority     = 1

  action {
    type = "authenticate-oidc"
    authenticate_oidc {
      authorization_endpoint = "https://idp.example.com/auth"
      client_id              = "client"
      client_secret          = "secret"
      issuer                 = "https://idp.example.com"
      token_endpoint         = "https://idp.example.com/token"
      user_info_endpoint     = "https://idp.example.com/userinfo"
    }
  }

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }

  condition {
    path_pattern {
      values = ["/app/*"]
    }
  }
}
