// The dashboard's static files are imported as text (wrangler.toml [[rules]] type = "Text").
declare module '*.min.js' {
  const source: string
  export default source
}
declare module '*.client.js' {
  const source: string
  export default source
}
declare module '*.css' {
  const source: string
  export default source
}
