/** A token problem: becomes 401 invalid_token with this message as error_description. */
export class TokenError extends Error {}
