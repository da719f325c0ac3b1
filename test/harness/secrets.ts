/** Made-up credentials for tests, built at run time so that they read as what they are: not secrets. */
export function fakeSecret(label: string): string {
	return [label, 'not', 'a', 'real', 'secret', '4242'].join('-');
}
