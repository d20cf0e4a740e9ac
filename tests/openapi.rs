//! The OpenAPI document at /api/v1/openapi.json describes the answers the API really gives:
//! every field of real responses is checked against its schema.

use serde_json::Value;

/// Checks `value` against a JSON Schema subset (type, required, properties, items, enum,
/// oneOf, $ref), returning the first mismatch with its path.
pub(crate) fn check(doc: &Value, schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = r
            .trim_start_matches("#/")
            .split('/')
            .fold(doc, |v, k| &v[k]);
        assert!(!target.is_null(), "dangling $ref {r}");
        return check(doc, target, value, path);
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let ok = options
            .iter()
            .filter(|o| check(doc, o, value, path).is_ok())
            .count();
        return if ok == 1 {
            Ok(())
        } else {
            Err(format!("{path}: matches {ok} of oneOf"))
        };
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !fits {
            return Err(format!("{path}: {actual} is not {types:?}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{path}: {value} not in {options:?}"));
    }
    if let Value::Object(map) = value {
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = req.as_str().unwrap();
            if !map.contains_key(key) {
                return Err(format!("{path}: missing required {key}"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, v) in map {
                match props.get(k) {
                    Some(s) => check(doc, s, v, &format!("{path}.{k}"))?,
                    None => return Err(format!("{path}.{k}: not in the document")),
                }
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(doc, s, item, &format!("{path}[{i}]"))?;
        }
    }
    Ok(())
}

fn response_schema<'a>(doc: &'a Value, path: &str, status: &str) -> &'a Value {
    &doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
}

#[tokio::test]
async fn real_answers_match_the_document() {
    let state = crate::web::state_with(&[
        crate::web::ant("aaaa1111", "Animatrice numérique de territoire"),
        crate::web::ant("bbbb2222", "Animateur numérique de territoire"),
    ])
    .await;
    let (status, _, doc) = crate::web::get(&state, "/api/v1/openapi.json").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");

    let cases = [
        ("/api/v1/search?q=animatrice", "/api/v1/search", "200"),
        ("/api/v1/search?q=animatrise", "/api/v1/search", "200"),
        ("/api/v1/search?q=&all=1&sort=date", "/api/v1/search", "200"),
        (
            "/api/v1/search?q=x&region=Atlantide",
            "/api/v1/search",
            "400",
        ),
        ("/api/v1/ads/aaaa1111", "/api/v1/ads/{id}", "200"),
        ("/api/v1/ads/zzzz", "/api/v1/ads/{id}", "404"),
    ];
    for (uri, path, status) in cases {
        let (got, _, body) = crate::web::get(&state, uri).await;
        assert_eq!(got.as_str(), status, "{uri}");
        let value: Value = serde_json::from_str(&body).unwrap();
        let schema = response_schema(&doc, path, status);
        assert!(!schema.is_null(), "{path} {status} is documented");
        check(&doc, schema, &value, uri).unwrap();
    }
}

#[test]
fn the_checker_catches_a_mismatch() {
    let doc = serde_json::json!({"components": {"schemas": {"A": {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer"}}}}}});
    let schema = serde_json::json!({"$ref": "#/components/schemas/A"});
    assert!(check(&doc, &schema, &serde_json::json!({"x": 1}), "$").is_ok());
    assert!(check(&doc, &schema, &serde_json::json!({"x": "1"}), "$").is_err());
    assert!(check(&doc, &schema, &serde_json::json!({}), "$").is_err());
    assert!(check(&doc, &schema, &serde_json::json!({"x": 1, "y": 2}), "$").is_err());
}
