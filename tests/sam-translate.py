"""Transforms infra/template.yaml as CloudFormation would, offline.

CloudFormation runs the AWS::Include of the HttpApi's DefinitionBody before
the SAM transform, so SAM sees the OpenAPI document itself. This does the
same with the local file (as `sam deploy` uploads it), then runs SAM's own
translator (the samtranslator that aws-sam-cli pins) and checks what it made
of the API: every route of the document with its function's integration, the
StaffJwt JWT authorizer, CORS, and an invoke permission for each function.
Neither linter runs the translator, so without this a template that SAM
refuses would pass them.
"""

import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The template names no AWS managed policy, so none is looked up."""

    def load(self):
        return {}


def include(node, base):
    if isinstance(node, dict):
        t = node.get("Fn::Transform")
        if isinstance(t, dict) and t.get("Name") == "AWS::Include":
            with open(os.path.join(base, t["Parameters"]["Location"]), encoding="utf-8") as f:
                return yaml_parse(f.read())
        return {k: include(v, base) for k, v in node.items()}
    if isinstance(node, list):
        return [include(v, base) for v in node]
    return node


def fail(message):
    print(f"sam translate: {message}", file=sys.stderr)
    sys.exit(1)


path = sys.argv[1]
base = os.path.dirname(os.path.abspath(path))
with open(path, encoding="utf-8") as f:
    template = include(yaml_parse(f.read()), base)
with open(os.path.join(base, "openapi.yaml"), encoding="utf-8") as f:
    document = yaml_parse(f.read())
for resource in template["Resources"].values():
    props = resource.get("Properties", {})
    if resource.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
        props["CodeUri"] = "s3://bucket/key"  # as `sam package` leaves it

out = transform(template, {}, NoManagedPolicies())["Resources"]

apis = [r for r in out.values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
if len(apis) != 1:
    fail(f"expected one HTTP API, found {len(apis)}")
body = apis[0]["Properties"].get("Body")
if not isinstance(body, dict):
    fail("the HTTP API has no inline OpenAPI body")
for route, item in document["paths"].items():
    for method, operation in item.items():
        if method == "parameters":
            continue
        made = body["paths"].get(route, {}).get(method)
        if made is None:
            fail(f"{method.upper()} {route} is missing from the API")
        if made.get("x-amazon-apigateway-integration") != operation["x-amazon-apigateway-integration"]:
            fail(f"{method.upper()} {route}: SAM changed its integration")
        if made.get("security") != operation.get("security"):
            fail(f"{method.upper()} {route}: SAM changed its security")
if set(body["paths"]) != set(document["paths"]):
    fail("SAM added routes the document does not have")
scheme = body["components"]["securitySchemes"].get("StaffJwt", {})
if scheme.get("x-amazon-apigateway-authorizer", {}).get("type") != "jwt":
    fail("StaffJwt is not a JWT authorizer in the API")
if "x-amazon-apigateway-cors" not in body:
    fail("the API has no CORS configuration")
permitted = {
    r["Properties"]["FunctionName"]["Ref"]
    for r in out.values()
    if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["Principal"] == "apigateway.amazonaws.com"
}
routed = {
    op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"].split("${")[-1].split(".Arn}")[0]
    for item in document["paths"].values()
    for method, op in item.items()
    if method != "parameters"
}
if permitted != routed:
    fail(f"invoke permissions for {sorted(permitted)}, routes to {sorted(routed)}")
print(f"sam translate: {len(document['paths'])} paths, {len(routed)} functions, StaffJwt and CORS as the template says")
