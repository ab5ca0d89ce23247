//! AWS IoT custom authorizers: the token travels either in the WebSocket
//! URL's query string or in the MQTT username, in the two forms AWS
//! documents:
//!
//! - `wss://<endpoint>/mqtt?x-amz-customauthorizer-name=<name>&x-amz-customauthorizer-signature=<sig>&<tokenKeyName>=<token>`
//! - username `<user>?x-amz-customauthorizer-name=<name>&<tokenKeyName>=<token>&x-amz-customauthorizer-signature=<sig>`
//!
//! Every value is RFC 3986-encoded (base64 signatures contain `/+=`).
//! An empty authorizer name selects the endpoint's default authorizer; the
//! token and its key name can be left out when the authorizer does not
//! sign tokens (the Lambda then sees the username and password).

use super::endpoint::Endpoint;
use super::percent_encode;

/// Query parameter naming the authorizer.
pub const NAME_PARAM: &str = "x-amz-customauthorizer-name";
/// Query parameter carrying the token signature.
pub const SIGNATURE_PARAM: &str = "x-amz-customauthorizer-signature";

/// Which of the two documented forms to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthorizerForm {
    /// Query parameters on the WebSocket URL.
    #[default]
    QueryString,
    /// Parameters in the MQTT CONNECT username.
    Username,
}

impl AuthorizerForm {
    /// Stored setting value.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizerForm::QueryString => "query",
            AuthorizerForm::Username => "username",
        }
    }

    /// From a stored setting value (unknown → query string).
    pub fn parse(text: &str) -> AuthorizerForm {
        match text {
            "username" => AuthorizerForm::Username,
            _ => AuthorizerForm::QueryString,
        }
    }
}

/// What the user entered for a custom authorizer.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct AuthorizerInput {
    /// Empty for the domain's default authorizer.
    pub name: String,
    /// The token key name configured on the authorizer, e.g. `token`.
    pub token_key_name: String,
    /// Secret: the token itself.
    pub token: String,
    /// The token's signature (base64), when the authorizer signs tokens.
    pub signature: String,
    pub form: AuthorizerForm,
}

impl std::fmt::Debug for AuthorizerInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizerInput")
            .field("name", &self.name)
            .field("token_key_name", &self.token_key_name)
            .field("token", &"<redacted>")
            .field("signature", &"<redacted>")
            .field("form", &self.form)
            .finish()
    }
}

impl AuthorizerInput {
    /// The parameters in the documented order for the chosen form.
    fn params(&self) -> Result<Vec<(String, String)>, String> {
        let name = self.name.trim();
        let key = self.token_key_name.trim();
        let token = self.token.trim();
        let signature = self.signature.trim();
        if !name.is_empty()
            && !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            return Err("An authorizer name has only letters, digits, '-' and '_'.".into());
        }
        if key.is_empty() != token.is_empty() {
            return Err(
                "Enter both the token key name (as configured on the authorizer) and the token, \
                 or neither."
                    .into(),
            );
        }
        if key.starts_with("x-amz-") {
            return Err(format!(
                "The token key name cannot be '{key}' (x-amz-… is reserved)."
            ));
        }
        if !signature.is_empty() && token.is_empty() {
            return Err("A token signature needs the token it signs.".into());
        }
        let mut params = Vec::new();
        if !name.is_empty() {
            params.push((NAME_PARAM.to_string(), name.to_string()));
        }
        let token_param = (!key.is_empty()).then(|| (key.to_string(), token.to_string()));
        let signature_param =
            (!signature.is_empty()).then(|| (SIGNATURE_PARAM.to_string(), signature.to_string()));
        match self.form {
            AuthorizerForm::QueryString => {
                params.extend(signature_param.into_iter().chain(token_param))
            }
            AuthorizerForm::Username => {
                params.extend(token_param.into_iter().chain(signature_param))
            }
        }
        if params.is_empty() {
            return Err(
                "Enter the authorizer name, or a token key name and token for the \
                        default authorizer."
                    .into(),
            );
        }
        Ok(params)
    }

    /// The WebSocket URL: with the parameters for the query-string form,
    /// plain for the username form.
    pub fn url(&self, endpoint: &Endpoint) -> Result<String, String> {
        match self.form {
            AuthorizerForm::QueryString => Ok(format!(
                "{}?{}",
                endpoint.base_url(),
                encode(&self.params()?)
            )),
            AuthorizerForm::Username => {
                self.params()?;
                Ok(endpoint.base_url())
            }
        }
    }

    /// The MQTT username: `<user>?<params>` for the username form, else
    /// the user's own username (if any).
    pub fn username(&self, user: &str) -> Result<Option<String>, String> {
        match self.form {
            AuthorizerForm::QueryString => Ok((!user.is_empty()).then(|| user.to_string())),
            AuthorizerForm::Username => {
                if user.contains('?') {
                    return Err(
                        "The username part cannot contain '?': it starts the authorizer \
                                parameters."
                            .into(),
                    );
                }
                Ok(Some(format!("{user}?{}", encode(&self.params()?))))
            }
        }
    }
}

fn encode(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(form: AuthorizerForm) -> AuthorizerInput {
        AuthorizerInput {
            name: "my-authorizer".into(),
            token_key_name: "tokenKey".into(),
            token: "allow me".into(),
            signature: "ab/c+d==".into(),
            form,
        }
    }

    #[test]
    fn query_string_form() {
        let endpoint = Endpoint::parse("abc-ats.iot.us-east-1.amazonaws.com").unwrap();
        let form = input(AuthorizerForm::QueryString);
        assert_eq!(
            form.url(&endpoint).unwrap(),
            "wss://abc-ats.iot.us-east-1.amazonaws.com/mqtt?x-amz-customauthorizer-name=my-authorizer\
             &x-amz-customauthorizer-signature=ab%2Fc%2Bd%3D%3D&tokenKey=allow%20me"
        );
        assert_eq!(form.username("").unwrap(), None);
        assert_eq!(form.username("dev").unwrap().as_deref(), Some("dev"));
    }

    #[test]
    fn username_form() {
        let endpoint = Endpoint::parse("abc-ats.iot.us-east-1.amazonaws.com").unwrap();
        let form = input(AuthorizerForm::Username);
        assert_eq!(
            form.url(&endpoint).unwrap(),
            "wss://abc-ats.iot.us-east-1.amazonaws.com/mqtt"
        );
        assert_eq!(
            form.username("device-7").unwrap().unwrap(),
            "device-7?x-amz-customauthorizer-name=my-authorizer&tokenKey=allow%20me\
             &x-amz-customauthorizer-signature=ab%2Fc%2Bd%3D%3D"
        );
        assert!(form.username("a?b").is_err());
    }

    #[test]
    fn optional_parts() {
        let unsigned = AuthorizerInput {
            signature: String::new(),
            ..input(AuthorizerForm::Username)
        };
        assert_eq!(
            unsigned.username("").unwrap().unwrap(),
            "?x-amz-customauthorizer-name=my-authorizer&tokenKey=allow%20me"
        );
        let default_authorizer = AuthorizerInput {
            name: String::new(),
            signature: String::new(),
            ..input(AuthorizerForm::QueryString)
        };
        let endpoint = Endpoint::parse("abc-ats.iot.us-east-1.amazonaws.com").unwrap();
        assert!(default_authorizer
            .url(&endpoint)
            .unwrap()
            .ends_with("/mqtt?tokenKey=allow%20me"));
        let name_only = AuthorizerInput {
            token_key_name: String::new(),
            token: String::new(),
            signature: String::new(),
            ..input(AuthorizerForm::QueryString)
        };
        assert!(name_only
            .url(&endpoint)
            .unwrap()
            .ends_with("?x-amz-customauthorizer-name=my-authorizer"));
    }

    #[test]
    fn refusals() {
        let endpoint = Endpoint::parse("abc-ats.iot.us-east-1.amazonaws.com").unwrap();
        let check = |change: fn(&mut AuthorizerInput)| {
            let mut form = input(AuthorizerForm::QueryString);
            change(&mut form);
            form.url(&endpoint).unwrap_err()
        };
        assert!(check(|f| f.name = "bad name".into()).contains("letters"));
        assert!(check(|f| f.token = String::new()).contains("both"));
        assert!(check(|f| f.token_key_name = "x-amz-foo".into()).contains("reserved"));
        assert!(check(|f| {
            f.token_key_name = String::new();
            f.token = String::new();
        })
        .contains("signature needs"));
        assert!(check(|f| *f = AuthorizerInput::default()).contains("Enter"));
        assert!(!format!("{:?}", input(AuthorizerForm::Username)).contains("allow me"));
    }
}
