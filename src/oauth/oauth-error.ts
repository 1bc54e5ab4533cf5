/**
 * An error answer of an OAuth endpoint in the shape OAuth clients parse (RFC 6749 §5.2, RFC 7591
 * §3.2.2), for the checks torc-edge adds in front of workers-oauth-provider. Like the library's own
 * answers it lets a browser client read it: only origins the Host/Origin guard admitted get here.
 */
export function oauthError(
  request: Request,
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {}
): Response {
  const answer = new Headers({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers })
  const origin = request.headers.get('Origin')
  if (origin) {
    answer.set('Access-Control-Allow-Origin', origin)
    answer.set('Access-Control-Expose-Headers', 'Retry-After')
    answer.set('Vary', 'Origin')
  }
  return new Response(JSON.stringify({ error, error_description: description }), { status, headers: answer })
}
