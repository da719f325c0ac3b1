import { plainText } from '../../nodes/shared/text';

describe('plainText: shop text as it may appear on a legal document', () => {
	it.each([
		['<script>alert(1)</script>Obrigado', 'Obrigado'],
		['<SCRIPT type="x">document.cookie</SCRIPT> ok <style>p{}</style>', 'ok'],
		['<img src=x onerror="alert(1)"> & Filhos <b>Lda</b>', '& Filhos Lda'],
		['Rua<br>do Ouro<br/>10', 'Rua do Ouro 10'],
		['L<b>d</b>a', 'Lda'],
		['Azulejo &amp; Companhia, Lda.', 'Azulejo & Companhia, Lda.'],
		['Caf&eacute; &Ccedil;&Atilde;O &#233; &#xE9; &euro;5 &unknown; &', 'Café ÇÃO é é €5 &unknown; &'],
		['&lt;script&gt;alert(1)&lt;/script&gt; texto', 'texto'],
		['&lt;b&gt;negrito&lt;/b&gt;', 'negrito'],
		['5 < 10 and a<b', '5 < 10 and a<b'],
		['Дмитрий 李 Παπαδόπουλος 🎉 Zoë Ångström', 'Дмитрий 李 Παπαδόπουλος 🎉 Zoë Ångström'],
		['nome\u0000com\u0007controlo\u200b\u202eoculto', 'nomecomcontrolooculto'],
		['  muitos    espaços\tand\r\nlines  ', 'muitos espaços and lines'],
		['<b></b>', ''],
	])('%j → %j', (input, expected) => {
		expect(plainText(input)).toBe(expected);
	});

	it('keeps the lines of a comment, one space between words, no more than one empty line', () => {
		expect(plainText('Entregar <b>de manhã</b>\r\n\r\n\r\n\r\n  Obrigado\t!  \n<p>Ana</p>', true)).toBe('Entregar de manhã\n\nObrigado !\nAna');
	});
});
