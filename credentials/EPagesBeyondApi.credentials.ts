import type { ICredentialDataDecryptedObject, Icon, ICredentialType, IDataObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

/**
 * An ePages Beyond shop (the newer ePages cloud platform, "…beyondshop.cloud"): a custom app's client
 * id and secret. The nodes exchange them for an access token at `{API URL}/oauth/token` (OAuth2 client
 * credentials) and renew it before it expires (nodes/EPages/beyond/transport.ts), since n8n's own
 * OAuth2 and expiring-credential refresh are not available to every n8n engine.
 */
export class EPagesBeyondApi implements ICredentialType {
	name = 'ePagesBeyondApi';

	displayName = 'ePages Beyond API';

	icon: Icon = { light: 'file:../icons/epages.svg', dark: 'file:../icons/epages.dark.svg' };

	documentationUrl = 'https://api-docs.beyondshop.cloud/';

	properties: INodeProperties[] = [
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://myshop.beyondshop.cloud/api',
			description: 'Your shop address followed by /api',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description:
				'From Cockpit → Apps → Custom apps: the client ID of the app. Give it the scopes ordr:r (orders), ordr:u (order notes, mark as viewed), orde:r (order events: the paid date) and clpr:c (cancelling orders).',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];

	/**
	 * The token request carries the client id and secret (HTTP Basic); API requests carry the access
	 * token the node obtained with them (their Authorization header is set already and left alone).
	 */
	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> => {
		const headers: IDataObject = { ...(requestOptions.headers ?? {}) };
		const given = Object.keys(headers).find((k) => k.toLowerCase() === 'authorization');
		if (given && /^Bearer /.test(String(headers[given]))) return { ...requestOptions, headers };
		const basic = Buffer.from(`${String(credentials.clientId ?? '')}:${String(credentials.clientSecret ?? '')}`).toString('base64');
		return { ...requestOptions, headers: { ...headers, Authorization: `Basic ${basic}` } };
	};
}
