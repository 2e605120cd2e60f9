# An AppSync API reaches the table and the function its data sources name.
resource "aws_appsync_graphql_api" "notes" {
  name                = "notes"
  authentication_type = "API_KEY"
}

resource "aws_appsync_api_key" "notes" {
  api_id = aws_appsync_graphql_api.notes.id
}

resource "aws_dynamodb_table" "notes" {
  name     = "notes"
  hash_key = "id"
}

resource "aws_lambda_function" "search" {
  function_name = "search"
  role          = "arn:aws:iam::123456789012:role/r"
}

resource "aws_appsync_datasource" "table" {
  api_id = aws_appsync_graphql_api.notes.id
  name   = "table"
  type   = "AMAZON_DYNAMODB"
  dynamodb_config {
    table_name = aws_dynamodb_table.notes.name
  }
}

resource "aws_appsync_datasource" "search" {
  api_id = aws_appsync_graphql_api.notes.id
  name   = "search"
  type   = "AWS_LAMBDA"
  lambda_config {
    function_arn = aws_lambda_function.search.arn
  }
}

resource "aws_appsync_resolver" "get" {
  api_id      = aws_appsync_graphql_api.notes.id
  type        = "Query"
  field       = "getNote"
  data_source = aws_appsync_datasource.table.name
}
