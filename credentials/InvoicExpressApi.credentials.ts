import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class InvoicExpressApi implements ICredentialType {
	name = 'invoicExpressApi';

	displayName = 'InvoicExpress API';

	icon: Icon = { light: 'file:../icons/invoicexpress.svg', dark: 'file:../icons/invoicexpress.dark.svg' };

	documentationUrl = 'https://docs.invoicexpress.com/';

	properties: INodeProperties[] = [
		{
			displayName: 'Account Name',
			name: 'accountName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'mycompany',
			description:
				'The subdomain of your InvoicExpress address: for https://mycompany.app.invoicexpress.com it is "mycompany"',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'In InvoicExpress: Settings → API (https://www.app.invoicexpress.com/users/api). The key acts as the user it belongs to.',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://mycompany.app.invoicexpress.com',
			description:
				'Leave empty for the normal InvoicExpress address built from the account name. Set it only for a staging host or a local test server.',
		},
	];

	// The key goes in the query string because that is the only authentication the API offers.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			qs: { api_key: '={{$credentials.apiKey}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://" + $credentials.accountName + ".app.invoicexpress.com"}}',
			url: '/taxes.json',
			method: 'GET',
			headers: { Accept: 'application/json' },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'InvoicExpress refused the API key: copy it again from Settings → API of this account',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No InvoicExpress account answers at this address: check the account name (the subdomain before .app.invoicexpress.com)',
				},
			},
		],
	};
}
